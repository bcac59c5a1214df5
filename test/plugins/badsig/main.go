package main

// NotAHandler has the wrong signature for a hook.
func NotAHandler(s string) string { return s }

func main() {}
