"""What a run's config may contain, field by field, with the range of every value: the system
(`sim.schema.system`: an ICS's sectors, roles, training and labour market), the behaviour
(`sim.schema.behaviour`: how workers respond), and the types both use (`sim.schema.types`).
`sim.config` puts them together into the config of a run and validates it."""
