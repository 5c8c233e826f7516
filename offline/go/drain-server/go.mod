module workload-conformance/offline/drain-server

go 1.24
