"""Channel adapters: one subpackage per channel format, each turning files into ParsedOrder values."""
