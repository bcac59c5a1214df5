module benchupstream

go 1.26
