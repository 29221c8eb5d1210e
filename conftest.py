# nameko's pytest plugin no longer monkey-patches (since 2.14): do it before anything imports
# socket or threading, as `nameko run` does for the services.
import eventlet

eventlet.monkey_patch()
