"""View models and server-built HTML/SVG: turn rows from the selectors into what a page shows.
No writes; queries only where a function says so."""
