package main

/*
#cgo CFLAGS: -D_GNU_SOURCE
#cgo LDFLAGS: -ldl
#include "include/shim.h"
int shim_promote_global(void);
*/
import "C"

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"plugin"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type requestHook = func(http.ResponseWriter, *http.Request)
type responseHook = func(http.ResponseWriter, *http.Response, *http.Request)

type loadedPlugin struct {
	path, symbol string
	kind         uint32
	request      requestHook
	response     responseHook
}

// table is a copy-on-write list indexed by handle-1: lookups on the hot path
// take no lock, and writes (plugin loads, API registrations) are rare.
type table[T any] struct {
	mu    sync.Mutex
	items atomic.Pointer[[]*T]
}

func (t *table[T]) get(h uint32) *T {
	p := t.items.Load()
	if p == nil || h == 0 || int(h) > len(*p) {
		return nil
	}
	return (*p)[h-1]
}

func (t *table[T]) add(v *T) uint32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var cur []*T
	if p := t.items.Load(); p != nil {
		cur = *p
	}
	next := append(slices.Clip(cur), v)
	t.items.Store(&next)
	return uint32(len(next))
}

func (t *table[T]) clear(h uint32) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.items.Load()
	if p == nil || h == 0 || int(h) > len(*p) || (*p)[h-1] == nil {
		return false
	}
	next := slices.Clone(*p)
	next[h-1] = nil
	t.items.Store(&next)
	return true
}

var (
	plugins  table[loadedPlugin]
	loadMu   sync.Mutex
	promoted bool
	// One handle per build, symbol and kind: the gateway asks again on every
	// reload, and the same build at two paths is one plugin to Go.
	byKey = map[string]uint32{}
	// What each path held when last opened, and each build (by content) once opened.
	files   = map[string]openedFile{}
	builds  = map[string]*plugin.Plugin{}
	copyDir = filepath.Join(os.TempDir(), fmt.Sprintf("tykgw-plugins-%d", os.Getpid()))
)

type openedFile struct {
	size    int64
	modTime time.Time
	sha     string
}

type loadError struct{ msg string }

func (e *loadError) Error() string { return e.msg }

func loadFail(format string, args ...any) error { return &loadError{fmt.Sprintf(format, args...)} }

func loadPlugin(path, symbol string, kind uint32) (uint32, error) {
	if kind != C.SHIM_KIND_REQUEST && kind != C.SHIM_KIND_RESPONSE {
		return 0, loadFail("unknown hook kind %d", kind)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0, loadFail("plugin path %q: %v", path, err)
	}
	if st, err := os.Stat(abs); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, loadFail("plugin file %s does not exist", abs)
		}
		return 0, loadFail("plugin file %s cannot be read: %v", abs, err)
	} else if st.IsDir() {
		return 0, loadFail("plugin path %s is a directory, not a .so file", abs)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	loadMu.Lock()
	defer loadMu.Unlock()
	if !promoted {
		if rc := C.shim_promote_global(); rc != 0 {
			return 0, loadFail("the shim could not make its symbols global (dlopen RTLD_GLOBAL failed, code %d)", int(rc))
		}
		promoted = true
	}
	p, sha, err := openBuild(abs)
	if err != nil {
		return 0, err
	}
	key := fmt.Sprintf("%s\x00%s\x00%d", sha, symbol, kind)
	if h, ok := byKey[key]; ok {
		return h, nil
	}
	sym, err := p.Lookup(symbol)
	if err != nil {
		if names := exportedNames(p); len(names) > 0 {
			return 0, loadFail("symbol %s not found in plugin %s (it exports: %s)", symbol, abs, strings.Join(names, ", "))
		}
		return 0, loadFail("symbol %s not found in plugin %s", symbol, abs)
	}
	lp := &loadedPlugin{path: abs, symbol: symbol, kind: kind}
	switch kind {
	case C.SHIM_KIND_REQUEST:
		lp.request = asRequestHook(sym)
		if lp.request == nil {
			return 0, wrongSignature(abs, symbol, sym, "request", "func(http.ResponseWriter, *http.Request)")
		}
	case C.SHIM_KIND_RESPONSE:
		lp.response = asResponseHook(sym)
		if lp.response == nil {
			return 0, wrongSignature(abs, symbol, sym, "response", "func(http.ResponseWriter, *http.Response, *http.Request)")
		}
	}
	h := plugins.add(lp)
	byKey[key] = h
	return h, nil
}

// openBuild opens the build now at abs. A file replaced in place since it was
// last opened is opened from a private copy: Go caches plugins by path and
// would hand back the old build. The old code stays in memory (Go cannot
// unload a plugin) until the gateway restarts.
func openBuild(abs string) (*plugin.Plugin, string, error) {
	st, err := os.Stat(abs)
	if err != nil {
		return nil, "", loadFail("plugin file %s cannot be read: %v", abs, err)
	}
	prev, seen := files[abs]
	if seen && prev.size == st.Size() && prev.modTime.Equal(st.ModTime()) {
		return builds[prev.sha], prev.sha, nil
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, "", loadFail("plugin file %s cannot be read: %v", abs, err)
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if p, ok := builds[sha]; ok {
		files[abs] = openedFile{st.Size(), st.ModTime(), sha}
		return p, sha, nil
	}
	// Explain a mismatch in the plugin author's words before Go refuses it
	// with an error naming only one package.
	if rep := checkPlugin(abs); !rep.OK {
		return nil, "", loadFail("plugin %s will not load in this gateway: %s; rebuild it with `gateway plugin build`",
			abs, strings.Join(rep.Problems, "; "))
	}
	openPath := abs
	if seen {
		if err := os.MkdirAll(copyDir, 0o700); err != nil {
			return nil, "", loadFail("plugin %s changed, but no private copy could be made: %v", abs, err)
		}
		openPath = filepath.Join(copyDir, sha[:16]+".so")
		if err := os.WriteFile(openPath, data, 0o600); err != nil {
			return nil, "", loadFail("plugin %s changed, but no private copy could be made: %v", abs, err)
		}
	}
	p, err := openPlugin(openPath)
	if err != nil {
		return nil, "", explainOpenError(abs, err)
	}
	files[abs] = openedFile{st.Size(), st.ModTime(), sha}
	builds[sha] = p
	return p, sha, nil
}

func openPlugin(path string) (p *plugin.Plugin, err error) {
	beginLoad(path)
	defer endLoad()
	defer func() {
		// A panic in the plugin's init must not take the gateway down.
		if r := recover(); r != nil {
			err = fmt.Errorf("init panicked: %v", r)
		}
	}()
	return plugin.Open(path)
}

// Exported functions and variables holding one (e.g. an http.HandlerFunc var).
func asRequestHook(sym plugin.Symbol) requestHook {
	switch f := sym.(type) {
	case func(http.ResponseWriter, *http.Request):
		return f
	case *func(http.ResponseWriter, *http.Request):
		return *f
	case http.HandlerFunc:
		return f
	case *http.HandlerFunc:
		return *f
	}
	return nil
}

func asResponseHook(sym plugin.Symbol) responseHook {
	switch f := sym.(type) {
	case func(http.ResponseWriter, *http.Response, *http.Request):
		return f
	case *func(http.ResponseWriter, *http.Response, *http.Request):
		return *f
	}
	return nil
}

func wrongSignature(path, symbol string, sym plugin.Symbol, hook, want string) error {
	return loadFail("symbol %s in plugin %s has type %T; a %s hook must be %s", symbol, path, sym, hook, want)
}

var differentVersion = regexp.MustCompile(`different version of package (\S+)`)

func explainOpenError(path string, err error) error {
	msg := err.Error()
	if m := differentVersion.FindStringSubmatch(msg); m != nil {
		return loadFail("plugin %s was built with a different version of package %s than this gateway; rebuild it with `gateway plugin build`", path, m[1])
	}
	if strings.Contains(msg, "plugin already loaded") {
		return loadFail("plugin %s has the same identity as a plugin already loaded (Go cannot load two builds of one module path); rebuild it with `gateway plugin build`, which gives every build its own identity", path)
	}
	if strings.Contains(msg, "not an ELF") || strings.Contains(msg, "invalid ELF header") || strings.Contains(msg, "file too short") {
		return loadFail("plugin %s is not a Go plugin (.so built with -buildmode=plugin): %s", path, msg)
	}
	return loadFail("plugin %s could not be opened: %s", path, msg)
}

// exportedNames reads the plugin's symbol names for a helpful error. The
// plugin package keeps them unexported; reflection reads keys without
// exposing values.
func exportedNames(p *plugin.Plugin) []string {
	syms := reflect.ValueOf(p).Elem().FieldByName("syms")
	if !syms.IsValid() || syms.Kind() != reflect.Map {
		return nil
	}
	var names []string
	for _, k := range syms.MapKeys() {
		if k.Kind() == reflect.String {
			names = append(names, k.String())
		}
	}
	sort.Strings(names)
	return names
}
