"""Retrieval stage: the knowledge base (merchants, rules, past offers) and its FAISS index."""
