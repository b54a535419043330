"""Who may create what, for every registered kind: each role × a record of its own, of
a teammate and of the other team, through the pages and the REST API
(``core.testing.matrix``; updating, deleting and creating are a file each)."""

from clientela.core.testing.matrix import write_test

test_create = write_test("create")
