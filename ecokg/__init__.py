"""ecokg: a knowledge graph and semantic query tool for territorial ecological restoration plans."""

__version__ = "0.2.0"
