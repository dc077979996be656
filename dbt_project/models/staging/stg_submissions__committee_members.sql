{{ config(**by_unit_config('committee_members')) }}

with

source as (

    select *
    from {{ by_unit_source(source('submissions', 'committee_members'), 'committee_members') }}

),

final as (

    select
        {{ person_key('national_id') }} as person_key,
        unit_code,
        committee_level,
        term_code,
        role{{ by_unit_version() }}
    from source

)

select * from final
