"""Domain operations. Each takes a `Session` first and never commits, enqueues or
sends: the caller owns the transaction and enqueues after the commit."""
