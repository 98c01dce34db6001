"""NumPy reference computations, following PyTorch's semantics."""
