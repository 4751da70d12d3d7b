"""Commissioning: contracts and strands of provision delivered by providers (VRU, MoJ)."""
