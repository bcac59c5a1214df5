package main

/*
#cgo CFLAGS: -D_GNU_SOURCE
#cgo LDFLAGS: -ldl
#include "include/shim.h"
int shim_promote_global(void);
*/
import "C"

import (
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
	// Same file, symbol and kind share one handle: Go would refuse to open a
	// plugin twice anyway, and the gateway asks again on every reload.
	byKey = map[string]uint32{}
)

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
	key := fmt.Sprintf("%s\x00%s\x00%d", abs, symbol, kind)

	loadMu.Lock()
	defer loadMu.Unlock()
	if h, ok := byKey[key]; ok {
		return h, nil
	}
	if !promoted {
		if rc := C.shim_promote_global(); rc != 0 {
			return 0, loadFail("the shim could not make its symbols global (dlopen RTLD_GLOBAL failed, code %d)", int(rc))
		}
		promoted = true
	}
	// Explain a mismatch in the plugin author's words before Go refuses it
	// with an error naming only one package.
	if rep := checkPlugin(abs); !rep.OK {
		return 0, loadFail("plugin %s will not load in this gateway: %s; rebuild it with `gateway plugin build`",
			abs, strings.Join(rep.Problems, "; "))
	}
	p, err := openPlugin(abs)
	if err != nil {
		return 0, explainOpenError(abs, err)
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
