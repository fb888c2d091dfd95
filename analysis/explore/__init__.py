"""For analysts: worked answers to policy questions and what-if scenarios."""
