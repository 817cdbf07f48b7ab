"""The read layer: every query the pages, the API and the exports make, scoped to the user
(blind annotation applied), in a fixed number of queries. Nothing here writes."""
