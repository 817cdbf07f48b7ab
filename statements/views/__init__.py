"""The htmx face: server-rendered pages, one module per page family.

Conventions for every module here: typed function views, one view and one template per page;
htmx fragments are `{% partialdef %}` blocks of the page's own template, chosen by the element an
htmx request swaps (`http.fragment_target`; responses vary on HX-Request/HX-Target). Pages work
as plain links and forms first. Writes are POST only and go through statements/services/ (the
one place with validation); htmx gets a fragment back (form errors with status 422, which
base.html tells htmx to swap) and a status announcement (`http.announce`), plain forms a
redirect. Reads come from statements/selectors/, view models and built HTML from
statements/presenters/, permissions from statements/permissions.py (checked here, and again by
the services). Shared helpers live in `http.py`; page modules never import each other.
"""
