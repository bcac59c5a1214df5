module github.com/acme/plugins/examples/logger/go

go 1.19

require github.com/TykTechnologies/tyk v1.9.2-0.20230821131017-e8a262533ce6

require (
	github.com/sirupsen/logrus v1.8.1 // indirect
	golang.org/x/sys v0.0.0-20220811171246-fbc7d0a398ab // indirect
)
