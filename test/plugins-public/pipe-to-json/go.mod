module tyk-plugin

go 1.23
