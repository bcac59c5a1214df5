package deepcopy

import (
	"regexp"
	"sync"
	"testing"
	"time"
)

type node struct {
	Name     string
	Next     *node
	tags     []string
	meta     map[string]interface{}
	When     time.Time
	Re       *regexp.Regexp
	mu       sync.Mutex
	Any      interface{}
	Children [2]*node
}

func TestCopyIsDeepAndKeepsCycles(t *testing.T) {
	a := &node{Name: "a", tags: []string{"x"}, meta: map[string]interface{}{"k": []int{1}}, When: time.Unix(10, 0), Re: regexp.MustCompile("a+")}
	b := &node{Name: "b", Next: a, Any: &node{Name: "inner"}}
	a.Next = b
	a.Children[0] = b

	c := Copy(a)
	if c == a || c.Next == b || c.Next.Next != c {
		t.Fatal("cycle not preserved in copy")
	}
	if c.Children[0] != c.Next {
		t.Fatal("shared pointer not preserved")
	}
	c.tags[0] = "y"
	c.meta["k"].([]int)[0] = 2
	if a.tags[0] != "x" || a.meta["k"].([]int)[0] != 1 {
		t.Fatal("unexported data shared")
	}
	if !c.When.Equal(a.When) || c.Re != a.Re {
		t.Fatal("opaque values should be shared")
	}
	inner := c.Next.Any.(*node)
	if inner == b.Any.(*node) || inner.Name != "inner" {
		t.Fatal("interface value not copied")
	}
	if Copy[node](nil) != nil {
		t.Fatal("nil in, nil out")
	}
}

func TestLockedMutexIsReset(t *testing.T) {
	n := &node{}
	n.mu.Lock()
	c := Copy(n)
	if !c.mu.TryLock() {
		t.Fatal("copied mutex should be unlocked")
	}
}

type holder struct {
	ID    int
	inner struct {
		m  map[string]int
		ps []*node
	}
	Vals  []struct{ M map[string]string }
	Box   interface{}
	Plain [3]int
}

// Structs held by value (nested, in slices, behind interfaces) are made deep
// in place after one shallow copy: nothing reachable may stay shared.
func TestNestedValuesAreCopied(t *testing.T) {
	h := &holder{ID: 7, Plain: [3]int{1, 2, 3}}
	h.inner.m = map[string]int{"a": 1}
	h.inner.ps = []*node{{Name: "p"}}
	h.Vals = []struct{ M map[string]string }{{M: map[string]string{"k": "v"}}}
	h.Box = holder{ID: 9, Vals: []struct{ M map[string]string }{{M: map[string]string{"x": "y"}}}}

	c := Copy(h)
	c.inner.m["a"] = 2
	c.inner.ps[0].Name = "q"
	c.Vals[0].M["k"] = "w"
	c.Box.(holder).Vals[0].M["x"] = "z"
	if h.inner.m["a"] != 1 || h.inner.ps[0].Name != "p" || h.Vals[0].M["k"] != "v" || h.Box.(holder).Vals[0].M["x"] != "y" {
		t.Fatal("copy shares data with the original")
	}
	if c.ID != 7 || c.Plain != [3]int{1, 2, 3} || c.Box.(holder).ID != 9 {
		t.Fatal("scalars not copied")
	}
}
