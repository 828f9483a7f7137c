"""REST edges, one module per area: parse, call one service or selector, serialise."""
