"""The personalized feed a mobile app pages through: recommendations mixed with editorial
pins, ranked once and kept as a snapshot so that paging stays consistent.

Pure: entries, candidates and pins in; ranked lists, snapshots and cursors out. Storing a
snapshot and serving it over GraphQL is `veneer.graphql.feed`.
"""
