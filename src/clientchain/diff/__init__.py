"""Two analyses compared: figures, inversions, findings and roles before and after."""
