package main

// shimInfo describes this build: what a plugin must match to load.
func shimInfo() map[string]any {
	bi := shimBuild()
	deps := []map[string]string{}
	for _, d := range bi.Deps {
		m := map[string]string{"path": d.Path, "version": d.Version, "sum": d.Sum}
		if d.Replace != nil {
			m["replace"] = d.Replace.Path
			m["replaceVersion"] = d.Replace.Version
		}
		deps = append(deps, m)
	}
	return map[string]any{
		"abi":      shimABIVersion,
		"go":       bi.GoVersion,
		"module":   bi.Path,
		"deps":     deps,
		"settings": settingsOf(bi),
	}
}
