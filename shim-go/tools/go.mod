module tykgw.tools

go 1.26
