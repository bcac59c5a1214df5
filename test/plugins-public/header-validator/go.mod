module plugin-dev

go 1.19

require github.com/TykTechnologies/tyk v1.9.2-0.20230606201232-e599d84bdfd1
