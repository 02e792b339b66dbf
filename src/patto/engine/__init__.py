"""Pure computation and readers: no Django import, tested and benchmarked on their own."""
