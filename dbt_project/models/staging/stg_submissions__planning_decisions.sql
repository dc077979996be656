with

source as (

    select * from {{ source('submissions', 'planning') }}

),

final as (

    select
        {{ person_key('national_id') }} as person_key,
        unit_code,
        title_code,
        term_code,
        decision_date,
        status
    from source

)

select * from final
