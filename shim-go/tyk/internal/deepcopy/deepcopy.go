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
	c := &copier{seen: map[ptrKey]reflect.Value{}}
	return c.copy(reflect.ValueOf(src)).Interface().(*T)
}

type ptrKey struct {
	addr uintptr
	typ  reflect.Type
}

type copier struct {
	seen map[ptrKey]reflect.Value
}

// copy returns a copy of v with the same type. v must not carry the
// read-only flag (values reached through unexported fields are re-wrapped
// before they get here).
func (c *copier) copy(v reflect.Value) reflect.Value {
	t := v.Type()

	switch t {
	case typeTime, typeLocation, typeRegexp:
		return v
	case typeMutex, typeRWMutex:
		return reflect.Zero(t)
	}

	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(t)
		}
		key := ptrKey{addr: v.Pointer(), typ: t}
		if done, ok := c.seen[key]; ok {
			return done
		}
		out := reflect.New(t.Elem())
		c.seen[key] = out
		out.Elem().Set(c.copy(v.Elem()))
		return out

	case reflect.Interface:
		if v.IsNil() {
			return reflect.Zero(t)
		}
		out := reflect.New(t).Elem()
		out.Set(c.copy(v.Elem()))
		return out

	case reflect.Map:
		if v.IsNil() {
			return reflect.Zero(t)
		}
		out := reflect.MakeMapWithSize(t, v.Len())
		it := v.MapRange()
		for it.Next() {
			out.SetMapIndex(c.copy(it.Key()), c.copy(it.Value()))
		}
		return out

	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(t)
		}
		out := reflect.MakeSlice(t, v.Len(), v.Len())
		if t.Elem().Kind() == reflect.Uint8 {
			reflect.Copy(out, v)
			return out
		}
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(c.copy(v.Index(i)))
		}
		return out

	case reflect.Array:
		out := reflect.New(t).Elem()
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(c.copy(v.Index(i)))
		}
		return out

	case reflect.Struct:
		src := v
		if !src.CanAddr() {
			tmp := reflect.New(t).Elem()
			tmp.Set(v)
			src = tmp
		}
		out := reflect.New(t).Elem()
		for i := 0; i < t.NumField(); i++ {
			sf := accessible(src.Field(i))
			df := accessible(out.Field(i))
			df.Set(c.copy(sf))
		}
		return out

	default:
		// Scalars, strings, channels, funcs and unsafe pointers.
		return v
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
