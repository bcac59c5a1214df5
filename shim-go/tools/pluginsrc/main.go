// Command pluginsrc is run by `gateway plugin build` on its private copy of a
// plugin's sources. It reads them with Go's own parser, so that what it
// reports and changes is exactly what the Go toolchain would see:
//
//	pluginsrc [-from OLD -to NEW] DIR
//
// With -from and -to it points the import specs that name a package of
// module OLD in DIR (a directory of DIR holding .go files, outside any
// nested module: an import of another module whose path merely starts with
// OLD, such as OLD/v2, is left alone) at module NEW. Only the import path
// literal of such a spec is replaced; every other byte of the file (string
// literals, struct tags, comments, build constraints, //go:embed patterns)
// is kept as it was. Files without such an import are not written.
//
// It prints one JSON object on stdout: {"imports": {PATH: [FILE, ...]}},
// every import path of the module's non-test .go files (any build
// constraint, as `go mod tidy` sees them) with the files, relative to DIR,
// that import it. Errors go to stderr, with exit status 1.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

func main() {
	from := flag.String("from", "", "module path whose imports are rewritten")
	to := flag.String("to", "", "module path they are rewritten to")
	flag.Parse()
	if flag.NArg() != 1 || (*from == "") != (*to == "") {
		fmt.Fprintln(os.Stderr, "usage: pluginsrc [-from OLD -to NEW] DIR")
		os.Exit(2)
	}
	imports, err := run(flag.Arg(0), *from, *to)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(map[string]map[string][]string{"imports": imports}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run walks the module rooted at dir the way the go command does: it skips
// vendor and testdata directories, directories whose names start with "." or
// "_", and nested modules (a directory with its own go.mod).
func run(dir, from, to string) (map[string][]string, error) {
	imports := map[string][]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path == dir {
				return nil
			}
			if name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		paths, err := rewriteFile(path, from, to, func(sub string) bool { return ownPackage(dir, sub) })
		if err != nil {
			return err
		}
		if strings.HasSuffix(name, "_test.go") {
			return nil
		}
		for _, p := range paths {
			imports[p] = append(imports[p], filepath.ToSlash(rel))
		}
		return nil
	})
	for _, files := range imports {
		sort.Strings(files)
	}
	return imports, err
}

// ownPackage reports whether sub ("/a/b", relative to the module root dir)
// is a package of the module in dir: a directory with .go files, with no
// go.mod of its own on the way (that would be another module).
func ownPackage(dir, sub string) bool {
	d := dir
	for _, part := range strings.Split(strings.TrimPrefix(sub, "/"), "/") {
		d = filepath.Join(d, part)
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return false
		}
	}
	entries, err := os.ReadDir(d)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") {
			return true
		}
	}
	return false
}

// rewriteFile returns the file's import paths (as written, before any
// rewrite) and rewrites the specs importing a package of module from (own
// says which paths under it are), if asked to.
func rewriteFile(path, from, to string, own func(sub string) bool) ([]string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ImportsOnly|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var paths []string
	var out []byte
	last := 0
	for _, spec := range f.Imports {
		p, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: bad import path %s", fset.Position(spec.Path.Pos()), spec.Path.Value)
		}
		paths = append(paths, p)
		if from == "" || !strings.HasPrefix(p, from+"/") || !own(strings.TrimPrefix(p, from)) {
			continue
		}
		start := fset.Position(spec.Path.Pos()).Offset
		end := fset.Position(spec.Path.End()).Offset
		out = append(out, src[last:start]...)
		out = append(out, quoteLike(spec.Path.Value, to+strings.TrimPrefix(p, from))...)
		last = end
	}
	if out == nil {
		return paths, nil
	}
	out = append(out, src[last:]...)
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	return paths, os.WriteFile(path, out, info.Mode().Perm())
}

// quoteLike quotes s the way the original literal was quoted (raw or interpreted).
func quoteLike(original, s string) string {
	if strings.HasPrefix(original, "`") {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}
