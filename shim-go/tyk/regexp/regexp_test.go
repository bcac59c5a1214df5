package regexp

import (
	"strings"
	"testing"
)

func TestCompileIsCachedAndSaysSo(t *testing.T) {
	Reset(true)
	first := MustCompile(`^/users/(\d+)$`)
	second := MustCompile(`^/users/(\d+)$`)
	if first.FromCache || !second.FromCache {
		t.Fatalf("FromCache: first %v, second %v; want false, true", first.FromCache, second.FromCache)
	}
	if first.Regexp != second.Regexp {
		t.Fatal("a cache hit returns the same compiled expression")
	}
	if got := second.FindStringSubmatch("/users/42"); len(got) != 2 || got[1] != "42" {
		t.Fatalf("FindStringSubmatch = %q", got)
	}
	Reset(false)
	defer Reset(true)
	if MustCompile(`^/users/(\d+)$`).FromCache {
		t.Fatal("a disabled cache compiles every time")
	}
}

func TestTheCacheIsBoundedAndExpires(t *testing.T) {
	defer Configure(CacheOptions{Enabled: true, Unbounded: true})
	Configure(CacheOptions{Enabled: true, MaxEntries: 2})
	MustCompile("a")
	MustCompile("b")
	MustCompile("c") // "a" is the least recently used: evicted
	if MustCompile("a").FromCache {
		t.Fatal("an evicted expression is compiled again")
	}
	if !MustCompile("c").FromCache {
		t.Fatal("a recent expression stays")
	}
	Configure(CacheOptions{Enabled: true, TTL: 1}) // 1ns
	MustCompile("d")
	if MustCompile("d").FromCache {
		t.Fatal("an expired expression is compiled again")
	}
}

func TestFunctionsAnswerAsTheStandardLibrary(t *testing.T) {
	Reset(true)
	if ok, err := MatchString(`^a+$`, "aaa"); !ok || err != nil {
		t.Fatalf("MatchString = %v, %v", ok, err)
	}
	if _, err := MatchString(`(`, "x"); err == nil || !strings.Contains(err.Error(), "missing closing )") {
		t.Fatalf("MatchString error = %v", err)
	}
	if ok, _ := Match(`b`, []byte("abc")); !ok {
		t.Fatal("Match")
	}
	re := MustCompile(`(\w+)@(\w+)`)
	if got := re.ReplaceAllString("me@host you@there", "$2"); got != "host there" {
		t.Fatalf("ReplaceAllString = %q", got)
	}
	if got := re.ReplaceAllStringFunc("me@host", strings.ToUpper); got != "ME@HOST" {
		t.Fatalf("ReplaceAllStringFunc = %q", got)
	}
	if got := re.FindAllString("a@b c@d e@f", 2); len(got) != 2 || got[1] != "c@d" {
		t.Fatalf("FindAllString = %q", got)
	}
	if QuoteMeta("a.b") != `a\.b` {
		t.Fatal("QuoteMeta")
	}
	defer func() {
		if msg, _ := recover().(string); msg != "regexp: Compile(`(`): error parsing regexp: missing closing ): `(`" {
			t.Fatalf("MustCompile panic = %q", msg)
		}
	}()
	MustCompile("(")
}

func TestARegexpWithoutExpressionAnswersEmpty(t *testing.T) {
	var re Regexp
	if re.String() != "" || re.MatchString("x") || re.NumSubexp() != 0 || re.FindIndex([]byte("x")) != nil {
		t.Fatal("zero Regexp")
	}
	if got := re.FindAllString("x", -1); got == nil || len(got) != 0 {
		t.Fatalf("FindAllString = %#v, want an empty, non-nil slice", got)
	}
	re.Longest()
	if c := re.Copy(); c.Regexp != nil {
		t.Fatal("Copy")
	}
}
