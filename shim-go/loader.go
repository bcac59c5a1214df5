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
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"
)

type requestHook = func(http.ResponseWriter, *http.Request)
type responseHook = func(http.ResponseWriter, *http.Response, *http.Request)

type loadedPlugin struct {
	path, symbol string
	kind         uint32
	request      requestHook
	response     responseHook
	analytics    analyticsHook
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
	plugins table[loadedPlugin]
	// loadMu guards the maps below. It is never held while a plugin's init
	// runs: an init that never returns must not stop other loads.
	loadMu   sync.Mutex
	promoted bool
	// One handle per build, symbol and kind: the gateway asks again on every
	// reload, and the same build at two paths is one plugin to Go.
	byKey = map[string]uint32{}
	// What each path held when last read, and each build (by content) once
	// its open began, failed ones included.
	files  = map[string]fileIdentity{}
	builds = map[string]*build{}
	// Paths handed to plugin.Open. Go keeps an entry for each, even after a
	// failure, and answers a later open of that path from it: the old build,
	// the old error, or (when init panicked) a wait that never ends. So any
	// other build found at such a path is opened from a private copy.
	goOpened = map[string]bool{}
	copyDir  = filepath.Join(os.TempDir(), fmt.Sprintf("tykgw-plugins-%d", os.Getpid()))
)

// fileIdentity tells whether a path still holds the file last read there.
type fileIdentity struct {
	dev, ino uint64
	size     int64
	modTime  time.Time
	sha      string
}

func identityOf(st os.FileInfo, sha string) fileIdentity {
	id := fileIdentity{size: st.Size(), modTime: st.ModTime(), sha: sha}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		id.dev, id.ino = uint64(sys.Dev), uint64(sys.Ino)
	}
	return id
}

func (a fileIdentity) sameFile(b fileIdentity) bool {
	return a.dev == b.dev && a.ino == b.ino && a.size == b.size && a.modTime.Equal(b.modTime)
}

// build is one plugin build (by content) and its one plugin.Open, which runs
// on a goroutine of its own. Its outcome, success or failure, is kept for
// good: Go cannot open a build twice.
type build struct {
	path    string // as the gateway named it, for messages
	started time.Time
	done    chan struct{} // closed when plugin.Open has returned
	p       *plugin.Plugin
	err     error
	state   atomic.Int32 // opening, then opened, or givenUp first when a load stopped waiting
}

const (
	opening int32 = iota
	opened
	givenUp
)

// defaultInitTimeout bounds how long a load waits for a plugin's init when
// the gateway does not say (init_timeout_ms).
const defaultInitTimeout = 30 * time.Second

type loadError struct{ msg string }

func (e *loadError) Error() string { return e.msg }

func loadFail(format string, args ...any) error { return &loadError{fmt.Sprintf(format, args...)} }

// loadPlugin opens the plugin file at path (once per build) and returns a
// handle to its symbol as a hook of the given kind. It waits at most
// initTimeout for the plugin's init; a build whose init is still running
// after that is reported as not loaded, and loads after its init returns
// succeed. Every failure is an error saying why, in words.
func loadPlugin(path, symbol string, kind uint32, initTimeout time.Duration) (uint32, error) {
	if kind != C.SHIM_KIND_REQUEST && kind != C.SHIM_KIND_RESPONSE && kind != C.SHIM_KIND_ANALYTICS {
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
	b, sha, err := buildAt(abs)
	if err != nil {
		return 0, err
	}
	if err := b.wait(initTimeout); err != nil {
		return 0, err
	}
	loadMu.Lock()
	defer loadMu.Unlock()
	key := fmt.Sprintf("%s\x00%s\x00%d", sha, symbol, kind)
	if h, ok := byKey[key]; ok {
		return h, nil
	}
	p := b.p
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
			return 0, wrongSignature(abs, symbol, sym, "a request", "func(http.ResponseWriter, *http.Request)")
		}
	case C.SHIM_KIND_RESPONSE:
		lp.response = asResponseHook(sym)
		if lp.response == nil {
			return 0, wrongSignature(abs, symbol, sym, "a response", "func(http.ResponseWriter, *http.Response, *http.Request)")
		}
	case C.SHIM_KIND_ANALYTICS:
		lp.analytics = asAnalyticsHook(sym)
		if lp.analytics == nil {
			return 0, wrongSignature(abs, symbol, sym, "an analytics", "func(*analytics.AnalyticsRecord) (analytics: github.com/TykTechnologies/tyk-pump/analytics)")
		}
	}
	h := plugins.add(lp)
	byKey[key] = h
	return h, nil
}

// buildAt finds the build now at abs: one already opened or being opened
// (by content), or a new one whose open it starts. A file replaced in place
// since Go last opened that path is opened from a private copy. The old
// code stays in memory (Go cannot unload a plugin) until the gateway
// restarts.
func buildAt(abs string) (*build, string, error) {
	loadMu.Lock()
	defer loadMu.Unlock()
	if !promoted {
		if rc := C.shim_promote_global(); rc != 0 {
			return nil, "", loadFail("the shim could not make its symbols global (dlopen RTLD_GLOBAL failed, code %d)", int(rc))
		}
		promoted = true
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, "", loadFail("plugin file %s cannot be read: %v", abs, err)
	}
	if prev, seen := files[abs]; seen && prev.sameFile(identityOf(st, "")) {
		if b := builds[prev.sha]; b != nil {
			return b, prev.sha, nil
		}
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, "", loadFail("plugin file %s cannot be read: %v", abs, err)
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	files[abs] = identityOf(st, sha)
	if b := builds[sha]; b != nil {
		return b, sha, nil
	}
	b := &build{path: abs, started: time.Now(), done: make(chan struct{})}
	builds[sha] = b
	// Explain a mismatch in the plugin author's words before Go refuses it
	// with an error naming only one package.
	if rep := checkPlugin(abs); !rep.OK {
		b.finish(nil, loadFail("plugin %s will not load in this gateway: %s; rebuild it with `gateway plugin build`",
			abs, strings.Join(rep.Problems, "; ")))
		return b, sha, nil
	}
	openPath := abs
	if goOpened[abs] {
		if err := os.MkdirAll(copyDir, 0o700); err != nil {
			delete(builds, sha)
			return nil, "", loadFail("plugin %s changed, but no private copy could be made: %v", abs, err)
		}
		openPath = filepath.Join(copyDir, sha[:16]+".so")
		if err := os.WriteFile(openPath, data, 0o600); err != nil {
			delete(builds, sha)
			return nil, "", loadFail("plugin %s changed, but no private copy could be made: %v", abs, err)
		}
	}
	goOpened[openPath] = true
	go b.open(openPath)
	return b, sha, nil
}

// finish records the open's outcome, and says whether a load had given up
// waiting for it by then.
func (b *build) finish(p *plugin.Plugin, err error) (late bool) {
	b.p, b.err = p, err
	late = !b.state.CompareAndSwap(opening, opened)
	close(b.done)
	return late
}

// open runs plugin.Open, and with it the plugin's init, on its own
// goroutine, recovering a panic in init. Records logged meanwhile are the
// plugin's.
func (b *build) open(path string) {
	tag := &b.path
	loading.Store(tag)
	defer loading.CompareAndSwap(tag, nil)
	var p *plugin.Plugin
	err := func() (err error) {
		defer func() {
			// A panic in the plugin's init must not take the gateway down.
			if r := recover(); r != nil {
				if fe, ok := r.(fatalExit); ok {
					err = fmt.Errorf("init called log.Fatal (exit code %d)", fe.code)
				} else {
					err = fmt.Errorf("init panicked: %v", r)
				}
			}
		}()
		enterInit(path)
		defer leaveInit()
		p, err = plugin.Open(path)
		return err
	}()
	if err != nil {
		err = explainOpenError(b.path, err)
	}
	if b.finish(p, err) {
		msg := fmt.Sprintf("plugin %s: init returned after %s; a reload loads it", b.path, time.Since(b.started).Round(time.Millisecond))
		if err != nil {
			msg = fmt.Sprintf("plugin %s: init returned after %s, and the plugin failed: %v", b.path, time.Since(b.started).Round(time.Millisecond), err)
		}
		orphans.add(logRecord{level: pinoLevel[logrus.WarnLevel], timeMs: float64(time.Now().UnixNano()) / 1e6, msg: msg, plugin: b.path})
	}
}

// wait waits up to timeout for the build's open to end, and returns its error.
func (b *build) wait(timeout time.Duration) error {
	select {
	case <-b.done:
		return b.err
	default:
	}
	if b.state.Load() == givenUp { // waited for once already: answer at once
		return b.stillRunning()
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-b.done:
		return b.err
	case <-t.C:
		if b.state.CompareAndSwap(opening, givenUp) {
			return b.stillRunning()
		}
		<-b.done // it ended just now
		return b.err
	}
}

func (b *build) stillRunning() error {
	return loadFail("plugin %s: its init has not returned after %s (it keeps running: Go cannot stop it); the plugin is not loaded now, and a reload after its init returns loads it",
		b.path, time.Since(b.started).Round(time.Millisecond))
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
	return loadFail("symbol %s in plugin %s has type %T; %s hook must be %s", symbol, path, sym, hook, want)
}

var differentVersion = regexp.MustCompile(`different version of package (\S+)`)

// shimHasPackage reports whether the package belongs to a module the shim
// itself is built with (the standard library included).
func shimHasPackage(pkg string) bool {
	first, _, _ := strings.Cut(pkg, "/")
	if !strings.Contains(first, ".") {
		return true // standard library
	}
	bi := shimBuild()
	for _, d := range append([]*debug.Module{&bi.Main}, bi.Deps...) {
		if pkg == d.Path || strings.HasPrefix(pkg, d.Path+"/") {
			return true
		}
	}
	return false
}

func explainOpenError(path string, err error) error {
	msg := err.Error()
	if m := differentVersion.FindStringSubmatch(msg); m != nil {
		if shimHasPackage(m[1]) {
			return loadFail("plugin %s was built with a different version of package %s than this gateway; rebuild it with `gateway plugin build`", path, m[1])
		}
		// Not the gateway's: a plugin loaded before this one has the package at another version.
		return loadFail("plugin %s was built with a different version of package %s than a plugin loaded before it; plugins in one gateway share each package, so pin the module at one version in both (`go get <module>@<version>`) and rebuild them with `gateway plugin build`", path, m[1])
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
