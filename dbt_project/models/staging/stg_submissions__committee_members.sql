with

source as (

    select * from {{ source('submissions', 'committee_members') }}

),

final as (

    select
        {{ person_key('national_id') }} as person_key,
        unit_code,
        committee_level,
        term_code,
        role
    from source

)

select * from final
