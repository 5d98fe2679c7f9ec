"""Helpers the tests share: small real implementations of stage protocols (`doubles`,
`hashing_embedder`), test databases (`databases`) and a pipeline over the small demo knowledge
base (`pipelines`). Fixtures stay in the conftest files; what they build lives here."""
