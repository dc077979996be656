with

source as (

    select * from {{ source('submissions', 'classes') }}

),

final as (

    select
        class_code,
        unit_code,
        program_code,
        start_date,
        end_date,
        planned_sessions,
        target_term_code
    from source

)

select * from final
