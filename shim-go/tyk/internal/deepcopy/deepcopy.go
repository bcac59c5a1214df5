// Package deepcopy makes independent copies of arbitrary Go values. It is used
// where Tyk hands plugins a private copy of gateway data (for instance
// ctx.GetDefinition), so plugin mutations never leak back.
//
// Pointers, maps, slices, arrays, interfaces and structs (exported and
// unexported fields alike) are copied recursively. Pointer cycles are
// preserved rather than followed forever. Channels, functions and unsafe
// pointers are shared. A few types are treated specially: time.Time and
// *time.Location and *regexp.Regexp are shared (they are immutable in
// practice), and sync.Mutex / sync.RWMutex values are reset to their zero
// value instead of being copied.
package deepcopy

import (
	"reflect"
	"regexp"
	"sync"
	"time"
	"unsafe"
)

var (
	typeTime     = reflect.TypeOf(time.Time{})
	typeLocation = reflect.TypeOf((*time.Location)(nil))
	typeRegexp   = reflect.TypeOf((*regexp.Regexp)(nil))
	typeMutex    = reflect.TypeOf(sync.Mutex{})
	typeRWMutex  = reflect.TypeOf(sync.RWMutex{})
)

// Copy returns a deep copy of *src, or nil when src is nil.
func Copy[T any](src *T) *T {
	if src == nil {
		return nil
	}
	c := &copier{}
	v := reflect.ValueOf(src)
	return c.copy(v, planOf(v.Type())).Interface().(*T)
}

type ptrKey struct {
	addr uintptr
	typ  reflect.Type
}

type copier struct {
	seen map[ptrKey]reflect.Value // made on the first pointer
}

// A type's copy plan, worked out once: whether its values hold anything a
// shallow copy would share (pointers, maps, slices, interfaces, locks), and
// for a struct which fields do. Tyk's API definition has hundreds of fields,
// nearly all scalars or nil: a copy assigns the whole value at once, then
// replaces in place only what it shares (ctx.GetDefinition went from 40 to
// 7 µs: BenchmarkGetDefinition).
type plan struct {
	deep   bool
	elem   *plan       // of a pointer's, slice's, array's or map's element
	key    *plan       // of a map's key
	fields []fieldPlan // of a struct's fields with deep set
}

type fieldPlan struct {
	index int
	plan  *plan
}

var plans sync.Map // reflect.Type -> *plan

func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	return makePlan(t, map[reflect.Type]*plan{})
}

// makePlan builds t's plan; building marks the plans in progress, so a
// recursive type (a struct holding a pointer to itself) counts as deep.
func makePlan(t reflect.Type, building map[reflect.Type]*plan) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	if p, ok := building[t]; ok {
		return p
	}
	p := &plan{deep: true}
	building[t] = p
	switch t {
	case typeTime, typeLocation, typeRegexp:
		p.deep = false
	case typeMutex, typeRWMutex:
	default:
		switch t.Kind() {
		case reflect.Array:
			p.elem = makePlan(t.Elem(), building)
			p.deep = p.elem.deep
		case reflect.Struct:
			for i := 0; i < t.NumField(); i++ {
				if fp := makePlan(t.Field(i).Type, building); fp.deep {
					p.fields = append(p.fields, fieldPlan{i, fp})
				}
			}
			p.deep = len(p.fields) > 0
		case reflect.Map:
			p.key, p.elem = makePlan(t.Key(), building), makePlan(t.Elem(), building)
		case reflect.Pointer, reflect.Slice:
			p.elem = makePlan(t.Elem(), building)
		case reflect.Interface:
		default:
			// Scalars and strings; channels, funcs and unsafe pointers are shared.
			p.deep = false
		}
	}
	plans.Store(t, p)
	return p
}

// copy returns a copy of v with the same type, planned by p. v must not
// carry the read-only flag (values reached through unexported fields are
// re-wrapped before they get here).
func (c *copier) copy(v reflect.Value, p *plan) reflect.Value {
	if !p.deep {
		return v
	}
	out := reflect.New(v.Type()).Elem()
	out.Set(v)
	c.fix(out, p)
	return out
}

// fix turns dst, an addressable shallow copy, into a deep one in place:
// whatever it shares with the original is replaced by a copy.
func (c *copier) fix(dst reflect.Value, p *plan) {
	if !p.deep {
		return
	}
	t := dst.Type()
	if t == typeMutex || t == typeRWMutex {
		dst.SetZero()
		return
	}
	switch dst.Kind() {
	case reflect.Pointer:
		if dst.IsNil() {
			return
		}
		key := ptrKey{addr: dst.Pointer(), typ: t}
		if done, ok := c.seen[key]; ok {
			dst.Set(done)
			return
		}
		if c.seen == nil {
			c.seen = map[ptrKey]reflect.Value{}
		}
		out := reflect.New(t.Elem())
		c.seen[key] = out
		out.Elem().Set(dst.Elem())
		c.fix(out.Elem(), p.elem)
		dst.Set(out)

	case reflect.Interface:
		if dst.IsNil() {
			return
		}
		// The dynamic type is known only now.
		e := dst.Elem()
		dst.Set(c.copy(e, planOf(e.Type())))

	case reflect.Map:
		if dst.IsNil() {
			return
		}
		out := reflect.MakeMapWithSize(t, dst.Len())
		it := dst.MapRange()
		for it.Next() {
			out.SetMapIndex(c.copy(it.Key(), p.key), c.copy(it.Value(), p.elem))
		}
		dst.Set(out)

	case reflect.Slice:
		if dst.IsNil() {
			return
		}
		out := reflect.MakeSlice(t, dst.Len(), dst.Len())
		reflect.Copy(out, dst)
		for i := 0; i < out.Len(); i++ {
			c.fix(out.Index(i), p.elem)
		}
		dst.Set(out)

	case reflect.Array:
		for i := 0; i < dst.Len(); i++ {
			c.fix(dst.Index(i), p.elem)
		}

	default: // reflect.Struct with deep fields
		for _, f := range p.fields {
			c.fix(accessible(dst.Field(f.index)), f.plan)
		}
	}
}

// accessible returns f itself when it can be used freely, or an equivalent
// view that drops the "obtained via unexported field" restriction. f must be
// addressable.
func accessible(f reflect.Value) reflect.Value {
	if f.CanSet() {
		return f
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}
