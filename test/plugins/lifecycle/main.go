// Package main is a Tyk Go plugin whose hooks report what they see of the
// one *http.Request that Tyk passes through every hook of a request (pre,
// auth_check, post_key_auth, Go virtual endpoints, post, and the response
// hook's req): its body, its context, its session, its URL. Hooks write what
// they saw into request headers (which reach the upstream, whose echo the
// tests read) or response headers, so every check is on what a user of the
// gateway observes.
//
// Used by test/e2e/request-lifecycle.test.ts.
package main

func main() {}
