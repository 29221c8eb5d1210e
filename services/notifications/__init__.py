"""Notifications (chain-wide): each organisation hears about the facts it subscribed to, once."""
