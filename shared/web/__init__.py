"""Web pages for people: sessions, forms and templates every service's pages share."""
