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
