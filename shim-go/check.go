package main

import (
	"debug/buildinfo"
	"fmt"
	"runtime/debug"
	"sync"
)

// checkReport says whether a plugin file matches this shim's build: the same
// Go toolchain, build settings and version of every module both contain.
// plugin.Open enforces the same thing but names only the first package.
type checkReport struct {
	OK        bool     `json:"ok"`
	Path      string   `json:"path"`
	GoVersion string   `json:"goVersion,omitempty"`
	Module    string   `json:"module,omitempty"`
	Problems  []string `json:"problems"`
}

// Settings that change the compiled form of shared packages.
var mustMatch = []string{"-trimpath", "-tags", "CGO_ENABLED", "GOARCH", "GOOS", "GOAMD64", "GOARM64", "-gcflags", "-asmflags"}

var shimBuild = sync.OnceValue(func() *debug.BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return &debug.BuildInfo{}
	}
	return bi
})

func settingsOf(bi *debug.BuildInfo) map[string]string {
	m := map[string]string{}
	for _, s := range bi.Settings {
		m[s.Key] = s.Value
	}
	return m
}

func depsOf(bi *debug.BuildInfo) map[string]*debug.Module {
	m := map[string]*debug.Module{}
	for _, d := range bi.Deps {
		m[d.Path] = d
	}
	return m
}

// A local-directory replacement has no version of its own ("" or "(devel)").
func localReplace(d *debug.Module) bool {
	return d.Replace != nil && (d.Replace.Version == "" || d.Replace.Version == "(devel)")
}

func describe(d *debug.Module) string {
	if d.Replace != nil {
		if localReplace(d) {
			return d.Version + " (replaced by a local directory)"
		}
		return fmt.Sprintf("%s (replaced by %s@%s)", d.Version, d.Replace.Path, d.Replace.Version)
	}
	return d.Version
}

func sameModule(a, b *debug.Module) bool {
	if a.Version != b.Version || (a.Replace == nil) != (b.Replace == nil) {
		return false
	}
	if a.Replace != nil {
		// A local-directory replacement has no checksum; the builder points
		// every plugin at the shim's own copy, so its version is the identity.
		return a.Replace.Path == b.Replace.Path && a.Replace.Version == b.Replace.Version ||
			localReplace(a) && localReplace(b)
	}
	return a.Sum == "" || b.Sum == "" || a.Sum == b.Sum
}

func checkPlugin(path string) checkReport {
	rep := checkReport{Path: path, Problems: []string{}}
	pbi, err := buildinfo.ReadFile(path)
	if err != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("no Go build information could be read (%v): not a Go plugin?", err))
		return rep
	}
	rep.GoVersion, rep.Module = pbi.GoVersion, pbi.Path
	sbi := shimBuild()
	if pbi.GoVersion != sbi.GoVersion {
		rep.Problems = append(rep.Problems, fmt.Sprintf("built with %s, the gateway with %s", pbi.GoVersion, sbi.GoVersion))
	}
	ps, ss := settingsOf(pbi), settingsOf(sbi)
	if ps["-buildmode"] != "plugin" {
		rep.Problems = append(rep.Problems, fmt.Sprintf("built with -buildmode=%s, not -buildmode=plugin", ps["-buildmode"]))
	}
	for _, k := range mustMatch {
		if ps[k] != ss[k] {
			rep.Problems = append(rep.Problems, fmt.Sprintf("build setting %s is %q, the gateway's is %q", k, ps[k], ss[k]))
		}
	}
	shimDeps := depsOf(sbi)
	for _, d := range pbi.Deps {
		if s, ok := shimDeps[d.Path]; ok && !sameModule(d, s) {
			rep.Problems = append(rep.Problems, fmt.Sprintf("module %s is %s, the gateway has %s (pin %s@%s)", d.Path, describe(d), describe(s), s.Path, s.Version))
		}
	}
	rep.OK = len(rep.Problems) == 0
	return rep
}
