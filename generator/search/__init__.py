"""Search: a Pagefind bundle for the browser and a Whoosh index for servers and the terminal.

Both are built from the same records (:mod:`.records`) after the site is written, and
rank by the same rule (:mod:`.rank`): an exact credit code first.
"""
