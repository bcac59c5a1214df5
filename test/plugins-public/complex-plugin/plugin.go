package main

// The plugin's hooks live in its own packages; the main package only
// re-exports them, as variables of function type.

import (
	"example.com/basic-plugin/analytics"
	"example.com/basic-plugin/plugin"
)

var (
	MyPluginPre         = plugin.Pre
	MyPluginAuthCheck   = plugin.AuthCheck
	MyPluginPostKeyAuth = plugin.PostKeyAuth
	MyPluginPost        = plugin.Post
	MyPluginResponse    = plugin.Response
	MyPluginPerPathFoo  = plugin.PerPathFoo
	MyPluginPerPathResp = plugin.PerPathResp

	MyAnalyticsPluginMaskJSONLoginBody = analytics.MaskJSONLoginBody
)

func main() {}
