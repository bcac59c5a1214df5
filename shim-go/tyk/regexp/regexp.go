// Package regexp is Tyk's wrapper of the standard library's regexp
// (github.com/TykTechnologies/tyk/regexp): the same functions and methods,
// with compiled expressions kept in a process-wide cache, so that plugins
// compiling a pattern per request pay for it once.
//
// What a call returns is what the standard library returns, with Tyk's
// answers for a Regexp whose embedded *regexp.Regexp is nil (empty results,
// never a panic). Compile and CompilePOSIX share compiled expressions
// between callers (Regexp.FromCache tells a cache hit), so, as in Tyk,
// Longest never changes one. Tyk also caches the results of some
// methods (MatchString, ReplaceAllString, FindStringSubmatch, ...); here
// they are computed on every call: the same values, without Tyk's shared
// result slices (see README.md in this module).
package regexp

import (
	"container/list"
	"regexp"
	"strconv"
	"sync"
	"time"

	internalcache "github.com/TykTechnologies/tyk/internal/cache"
)

// The TTL Configure gives a cache whose options leave it at zero.
const defaultCacheTTL = 60 * time.Second

// LogFunc receives eviction summaries of the caches.
type LogFunc = internalcache.LogFunc

// CacheOptions configures the caches (Configure).
type CacheOptions = internalcache.LRUOptions

// Regexp is a compiled expression; FromCache reports that Compile found it
// in the cache rather than compiling it.
type Regexp struct {
	*regexp.Regexp
	FromCache bool
}

// compiled is one cache of compiled expressions: least recently used
// entries go first past the capacity, entries older than ttl (if set) are
// compiled again.
type compiled struct {
	mu      sync.Mutex
	enabled bool
	ttl     time.Duration
	max     int // 0: no bound
	order   *list.List
	byExpr  map[string]*list.Element
	compile func(string) (*regexp.Regexp, error)
}

type entry struct {
	expr  string
	re    *regexp.Regexp
	added time.Time
}

func newCompiled(opts CacheOptions, compile func(string) (*regexp.Regexp, error)) *compiled {
	return &compiled{
		enabled: opts.Enabled, ttl: opts.TTL, max: internalcache.ResolveMaxEntries(opts),
		order: list.New(), byExpr: map[string]*list.Element{}, compile: compile,
	}
}

func (c *compiled) get(expr string) (*Regexp, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.enabled {
		re, err := c.compile(expr)
		if err != nil {
			return nil, err
		}
		return &Regexp{re, false}, nil
	}
	if el, ok := c.byExpr[expr]; ok {
		e := el.Value.(*entry)
		if c.ttl <= 0 || time.Since(e.added) < c.ttl {
			c.order.MoveToFront(el)
			return &Regexp{e.re, true}, nil
		}
		c.order.Remove(el)
		delete(c.byExpr, expr)
	}
	re, err := c.compile(expr)
	if err != nil {
		return nil, err
	}
	c.byExpr[expr] = c.order.PushFront(&entry{expr, re, time.Now()})
	if c.max > 0 && c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.byExpr, oldest.Value.(*entry).expr)
	}
	return &Regexp{re, false}, nil
}

func (c *compiled) reset(enabled bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.enabled = enabled
	c.order.Init()
	c.byExpr = map[string]*list.Element{}
}

var (
	cachesMu     sync.RWMutex
	compileCache = newCompiled(CacheOptions{Enabled: true}, regexp.Compile)
	posixCache   = newCompiled(CacheOptions{Enabled: true}, regexp.CompilePOSIX)
)

func caches() (*compiled, *compiled) {
	cachesMu.RLock()
	defer cachesMu.RUnlock()
	return compileCache, posixCache
}

// Configure replaces the caches with empty ones built from opts (a TTL of
// zero means 60 s; MaxEntries as internal/cache.ResolveMaxEntries). The
// eviction summaries Tyk logs through opts.Log are not written here.
func Configure(opts CacheOptions) {
	if opts.TTL <= 0 {
		opts.TTL = defaultCacheTTL
	}
	cachesMu.Lock()
	defer cachesMu.Unlock()
	compileCache = newCompiled(opts, regexp.Compile)
	posixCache = newCompiled(opts, regexp.CompilePOSIX)
}

// Reset empties the caches and turns them on or off; TTL and capacity stay.
func Reset(isEnabled bool) {
	a, b := caches()
	a.reset(isEnabled)
	b.reset(isEnabled)
}

// ResetCache is Reset; the TTL argument is ignored, as in Tyk.
//
// Deprecated: use Reset(isEnabled).
func ResetCache(_ time.Duration, isEnabled bool) { Reset(isEnabled) }

// Compile is regexp.Compile, through the cache.
func Compile(expr string) (*Regexp, error) {
	c, _ := caches()
	return c.get(expr)
}

// CompilePOSIX is regexp.CompilePOSIX, through the cache.
func CompilePOSIX(expr string) (*Regexp, error) {
	_, c := caches()
	return c.get(expr)
}

// MustCompile is Compile, panicking (with regexp.MustCompile's message) on a bad expression.
func MustCompile(str string) *Regexp {
	re, err := Compile(str)
	if err != nil {
		panic(`regexp: Compile(` + quote(str) + `): ` + err.Error())
	}
	return re
}

// MustCompilePOSIX is CompilePOSIX, panicking on a bad expression.
func MustCompilePOSIX(str string) *Regexp {
	re, err := CompilePOSIX(str)
	if err != nil {
		panic(`regexp: CompilePOSIX(` + quote(str) + `): ` + err.Error())
	}
	return re
}

// MatchString reports whether s matches pattern (compiled through the cache).
func MatchString(pattern string, s string) (matched bool, err error) {
	re, err := Compile(pattern)
	if err != nil {
		return false, err
	}
	return re.MatchString(s), nil
}

// Match reports whether b matches pattern (compiled through the cache).
func Match(pattern string, b []byte) (matched bool, err error) {
	re, err := Compile(pattern)
	if err != nil {
		return false, err
	}
	return re.Match(b), nil
}

// QuoteMeta is regexp.QuoteMeta.
func QuoteMeta(s string) string { return regexp.QuoteMeta(s) }

func quote(s string) string {
	if strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// String is the expression's source text ("" when there is none).
func (re *Regexp) String() string {
	if re.Regexp == nil {
		return ""
	}
	return re.Regexp.String()
}

// Copy returns a Regexp with a copy of the expression and the same FromCache.
func (re *Regexp) Copy() *Regexp {
	c := &Regexp{FromCache: re.FromCache}
	if re.Regexp != nil {
		c.Regexp = re.Regexp.Copy()
	}
	return c
}

// Longest does nothing, as in Tyk, whose compiled expressions are shared
// through the cache (Tyk's panics on a Regexp without an expression).
func (re *Regexp) Longest() {}
