"""Organizations that run training programs, the programs, and their graduates."""
