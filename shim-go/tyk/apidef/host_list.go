package apidef

import (
	"errors"
	"sync"
)

// HostList is a list of upstream hosts, safe to replace while read. Tyk
// builds one from proxy.target_list for load-balanced APIs
// (ProxyConfig.StructuredTargetList); plugins use it to pick an upstream.
type HostList struct {
	mu    sync.RWMutex
	hosts []string
}

// NewHostList returns an empty list.
func NewHostList() *HostList {
	return &HostList{hosts: []string{}}
}

// NewHostListFromList returns a list holding hosts (not copied).
func NewHostListFromList(hosts []string) *HostList {
	h := NewHostList()
	h.Set(hosts)
	return h
}

// Set replaces the hosts with newList (not copied).
func (h *HostList) Set(newList []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hosts = newList
}

// All returns the hosts: the list itself, not a copy, as in Tyk.
func (h *HostList) All() []string {
	return h.hosts
}

// GetIndex returns host i, or an error for a negative index ("index must be
// positive int") or one past the end ("index out of range").
func (h *HostList) GetIndex(i int) (string, error) {
	if i < 0 {
		return "", errors.New("index must be positive int")
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	if i >= len(h.hosts) {
		return "", errors.New("index out of range")
	}
	return h.hosts[i], nil
}

// Len is the number of hosts.
func (h *HostList) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.hosts)
}
