module github.com/TykTechnologies/tyk/ci/tests/plugin-compiler/testplugin

go 1.22

require (
	github.com/Masterminds/sprig/v3 v3.2.2
	github.com/TykTechnologies/tyk v1.9.2-0.20230606201232-e599d84bdfd1
	github.com/kr/pretty v0.2.1
)

// sprig needs uuid v1.1.1 and uuid-query-check uses v1.6.0: plugins loaded
// in one process must agree on every package they share, so this one is
// raised to v1.6.0. It is a direct requirement, not the `// indirect` one
// `go mod tidy` writes, because `gateway plugin build` drops the indirect
// requirements of a go.mod that requires Tyk (see test/plugins-public/README.md).
require github.com/google/uuid v1.6.0

replace github.com/jensneuse/graphql-go-tools => github.com/TykTechnologies/graphql-go-tools v1.6.2-0.20210609111804-af8c15678972
