"""offergen: personalized, compliance-guarded offer copy for digital payments."""

__version__ = "0.1.0"
