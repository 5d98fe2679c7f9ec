"""The web console at /console: server-rendered pages for reviewers and prompt engineers.

Pages call the same service objects the API routes call (`offergen.api.service.Service`, the
review queue, the audit store), seen through the same Principal, so role rules and tenant scoping
are the API's. `offergen.console.mount.install(app)` adds it to an API app.
"""
