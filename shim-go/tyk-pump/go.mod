module github.com/TykTechnologies/tyk-pump

go 1.26
