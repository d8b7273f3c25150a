continue // expect error
