System.print("never runs")
System.print(undefinedThing) // expect error
