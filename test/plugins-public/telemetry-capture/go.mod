module github.com/apiclarity/apiclarity/plugins/gateway/tyk

go 1.16

require github.com/TykTechnologies/tyk v1.9.2-0.20210930081546-bda54b0f790c
